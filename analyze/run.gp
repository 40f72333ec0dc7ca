# run.gp: one run over simulated time.  Top: free pages and free plus
# cache pages against the paging thresholds (dashed), on a log scale
# (zero drawn as 1); bottom: swap in use.  A dotted line marks when
# progress stopped in a deadlock.
#
# memsim report --plot DIR --run ID sets, before this script:
#   out         output path without extension (.png and .svg are written)
#   ttl         the run, in words
#   thr_names   thresholds found in the run's counters, space-separated
#   thr_values  their values in pages, in the same order
#   dl          simulated time progress stopped, or -1
#   $samples    t free cache swap_used (pages)

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
  plot $samples using 1:($2 > 0 ? $2 : 1) with lines lw 2 lc "black" \
         title "v_free_count", \
       $samples using 1:($2 + $3 > 0 ? $2 + $3 : 1) with lines lw 1 \
         lc "gray50" title "free + cache", \
       for [i=1:words(thr_names)] real(word(thr_values, i)) \
         with lines dt 2 lw 1.5 lc rgb word(thr_colors, i) \
         title word(thr_names, i)
  unset logscale y
  set xlabel "simulated time (s)"
  set ylabel "swap pages in use"
  unset label 1
  plot $samples using 1:4 with lines lw 2 lc "dark-green" title "swap used"
  unset multiplot
  set output
}
