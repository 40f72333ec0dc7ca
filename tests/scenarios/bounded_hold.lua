-- bounded_hold: a hold that looks like a deadlock under a short watchdog
-- but ends.  "hog" fills most of RAM and sleeps 8 s before unmapping; with
-- 4 MiB of swap the page daemon soon has nowhere to put anonymous pages,
-- and "dirtier" sleeps in vm_wait_pfault() for about 7 s with nothing
-- freed: far past the 2 s watchdog.  The hog's timed sleep is a pending
-- release, so the verdict does not call it a deadlock: the run goes on,
-- the wait is a stall, and the dirtier runs again when the hog lets go.
scenario { name = "bounded_hold", duration = "15s", watchdog = "2s" }
machine  { ram = "64M", ncpus = 1, swap = "4M" }
process { name = "hog", run = function(p)
  local r = p:mmap("44M")
  p:touch(r, { write = true })
  p:sleep("8s")
  p:munmap(r)
end }
process { name = "dirtier", run = function(p)
  p:sleep("1s")
  local r = p:mmap("24M")
  for i = 1, 100000 do
    p:touch(r, { write = true })
    p:compute("10ms")
  end
end }
