# rate.gp: deadlock rate against the reserve N, one line per allocator
# with a reserve and the 95% Wilson interval as error bars; allocators
# without N are horizontal lines with their interval as a band.
#
# memsim report --plot sets, before this script:
#   out      output path without extension (.png and .svg are written)
#   scen     the scenario's name
#   series   allocators with N, space-separated; $rates has one block
#            per allocator in that order: N rate wilson_low wilson_high
#   flat     allocators without N; $flat: x rate low high, two rows each
#   xmin, xmax   the range of N

set title scen.": deadlock rate (95% Wilson interval)" noenhanced
set xlabel "N (reserve slabs)"
set ylabel "deadlock rate"
set xrange [xmin - 0.5 : xmax + 0.5]
set yrange [-0.02 : 1.02]
set xtics 1
set mxtics 1
set grid
set key outside right top noenhanced
set style fill transparent solid 0.15 noborder

do for [fmt in "png svg"] {
  if (fmt eq "png") {
    set terminal pngcairo size 960,600 noenhanced font ",10"
  } else {
    set terminal svg size 960,600 noenhanced font ",10" background "white"
  }
  set output out.".".fmt
  plot for [i=1:words(flat)] $flat index (i-1) using 1:3:4 \
         with filledcurves lc i notitle, \
       for [i=1:words(flat)] $flat index (i-1) using 1:2 \
         with lines lw 2 dt 2 lc i title word(flat, i)." (no N)", \
       for [i=1:words(series)] $rates index (i-1) using 1:2:3:4 \
         with yerrorlines lw 2 pt 7 lc (words(flat) + i) \
         title word(series, i)
  set output
}
