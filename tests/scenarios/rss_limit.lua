-- rss_limit: processes over their RLIMIT_RSS page themselves out.
--
-- 256 MiB of RAM, so the page daemon never has a shortage.  Two
-- processes, one on each CPU, each with rlimit_rss = 4M, write 24 MiB of
-- anonymous memory, then read it back.  Past 4 MiB + 16 MiB of
-- hysteresis a fault runs vm_pageout_map_deactivate_pages() on the
-- process's own stack and CPU: its dirty pages go out by synchronous swap
-- writes, through swp_pager_meta_build() and its own CPU's SWAPMETA slab
-- (kmalloc_obj: one slab per CPU, though one would hold every swblock).
scenario { name = "rss_limit", duration = "20s", watchdog = "5s" }
machine  { ram = "256M", ncpus = 2, swap = "512M" }
kernel   { swapmeta = { allocator = param("allocator", "kmalloc_obj") } }
local limit = param("rss", "4M")
process { name = "app", count = 2,
          rlimit_rss = limit ~= "none" and limit or nil,
          run = function(p)
  local r = p:mmap("24M")
  p:touch(r, { write = true })
  p:touch(r)
  p:munmap(r)
end }
