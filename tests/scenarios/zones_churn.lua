-- zones_churn: kernel malloc types with consumer loads, under memory
-- pressure.  Vnodes and namecache entries (kmalloc_obj) and a regular
-- kmalloc type are allocated and freed on both CPUs while a process
-- rewrites more anonymous memory than the machine has, so their slabs
-- compete with SWAPMETA's for free pages and kernel_map.
scenario { name = "zones_churn", duration = "4s", watchdog = "2s" }
machine  { ram = "32M", ncpus = 2, swap = "128M" }
kernel   { swapmeta = { allocator = param("allocator", "kmalloc_obj") },
           zones = {
             { name = "M_VNODE", rate = "4000/s", hold = "500ms" },
             { name = "M_VFSCACHE", rate = "8000/s", hold = "2s" },
             { name = "M_TEMP", allocator = "kmalloc", size = 256,
               rate = "2000/s", hold = "100ms" } } }
process { name = "dirtier", run = function(p)
  local r = p:mmap("40M")
  p:touch(r, { write = true })
  for i = 1, 100 do
    p:touch(r, { pages = 512, random = true, write = true })
    p:compute("10ms")
  end
end }
