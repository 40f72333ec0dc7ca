-- tiny: a fraction of a second of simulated paging, for the sweep
-- tests.  N is read only in mode "b", so a sweep over mode and N runs
-- mode "a" once per seed, not once per N; the seed decides which pages
-- are touched, so every seed gives its own run.
scenario { name = "tiny", duration = "5s", watchdog = "2s",
           sample_every = "50ms" }
machine  { ram = "32M", ncpus = 1, swap = "64M" }
sweep    { mode = { "a", "b" }, N = "0..2", seeds = "1..3" }

local mode = param("mode", "a")
local touches = 2
if mode == "b" then touches = touches + param("N", 0) end

process { name = "p", run = function(p)
  local r = p:mmap("36M")
  p:touch(r, { write = true })
  for i = 1, touches do
    p:touch(r, { pages = 512, random = true, write = 0.5 })
    p:compute("5ms")
  end
end }
