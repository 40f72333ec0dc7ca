# run.gp: one run over simulated time.  Top: free pages and free plus
# cache pages against the paging thresholds (dashed), on a log scale,
# where a count of zero has no place: it is drawn as a red mark on the
# bottom edge ("free = 0"), not as 1; bottom: swap in use (left axis),
# SWAPMETA pages and the reserve's level (right axis; the level only for
# an allocator with a reserve).  A dotted line marks when progress
# stopped in a deadlock.
#
# memsim report --plot DIR --run ID sets, before this script:
#   out         output path without extension (.png and .svg are written)
#   ttl         the run, in words
#   thr_names   thresholds found in the run's counters, space-separated
#   thr_values  their values in pages, in the same order
#   dl          simulated time progress stopped, or -1
#   $samples    t free cache swap_used swapmeta_pages (pages) and
#               reserve_level (NaN: no reserve)

set grid
set key outside right top noenhanced
# the same margins for both panels, so their time axes line up
set lmargin at screen 0.09
set rmargin at screen 0.76
thr_colors = "#d62728 #ff7f0e #2ca02c #1f77b4 #9467bd #8c564b"
if (dl >= 0) {
  set arrow 1 from dl, graph 0 to dl, graph 1 nohead dt 3 lw 2 lc "red"
}

do for [fmt in "png svg"] {
  if (fmt eq "png") {
    set terminal pngcairo size 960,720 noenhanced font ",10"
  } else {
    set terminal svg size 960,720 noenhanced font ",10" background "white"
  }
  set output out.".".fmt
  set multiplot layout 2,1 title ttl noenhanced
  if (dl >= 0) {
    set label 1 "no progress from here" at dl, graph 0.95 offset 0.5, 0 \
      tc "red"
  }
  set xlabel ""
  set ylabel "pages"
  set logscale y
  unset y2tics
  set y2range [0:1]
  plot $samples using 1:($2 > 0 ? $2 : NaN) with lines lw 2 lc "black" \
         title "v_free_count", \
       $samples using 1:($2 + $3 > 0 ? $2 + $3 : NaN) with lines lw 1 \
         lc "gray50" title "free + cache", \
       $samples using 1:($2 == 0 ? 0 : NaN) axes x1y2 with points \
         pt 9 ps 0.8 lc "red" title "free = 0", \
       for [i=1:words(thr_names)] real(word(thr_values, i)) \
         with lines dt 2 lw 1.5 lc rgb word(thr_colors, i) \
         title word(thr_names, i)
  unset logscale y
  set xlabel "simulated time (s)"
  set ylabel "swap pages in use"
  unset label 1
  set y2tics
  set y2label "SWAPMETA pages, reserve level"
  set y2range [0:*]
  plot $samples using 1:4 with lines lw 2 lc "dark-green" title "swap used", \
       $samples using 1:5 axes x1y2 with lines lw 1.5 lc "purple" \
         title "SWAPMETA pages", \
       $samples using 1:6 axes x1y2 with steps lw 1.5 lc "orange" \
         title "reserve level"
  unset y2tics
  unset y2label
  unset multiplot
  set output
}
