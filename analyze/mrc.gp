# mrc.gp: a trace's reuse-distance histogram and its LRU miss-ratio
# curve (memsim trace stats FILE --plot DIR).
#
# memsim sets, before this script:
#   out    output path without extension (.png and .svg are written)
#   ttl    the trace, in words
#   $mrc   pages references miss_ratio: a memory of `pages` pages misses
#          the `miss_ratio` share of references; `references` have a
#          reuse distance in [pages/2, pages)

set grid
set key top right noenhanced
set logscale x 2
do for [fmt in "png svg"] {
  if (fmt eq "png") {
    set terminal pngcairo size 960,720 noenhanced font ",10"
  } else {
    set terminal svg size 960,720 noenhanced font ",10" background "white"
  }
  set output out.".".fmt
  set multiplot layout 2,1 title ttl
  set ylabel "LRU miss ratio"
  set yrange [0:1]
  set xlabel "memory (pages of 4 KiB)"
  plot $mrc using 1:3 with linespoints lw 2 title "miss ratio"
  set ylabel "references"
  set yrange [0:*]
  set logscale y
  set xlabel "reuse distance below (pages)"
  plot $mrc using 1:($2 > 0 ? $2 : 1/0) with boxes fill solid 0.5 title "reuse distance"
  unset logscale y
  unset multiplot
  set output
}
