machine { ram = "64M", swap = "128M", v_free_min = 100, swap_async_max = 4 }
kernel { swapmeta = { allocator = "reserve_kmalloc_obj", reserve = 4, refill = "intnowait", exclusive = false },
         zones = { { name = "mbuf", size = "2K", rate = "100/s", hold = "10ms", count = 2 } } }
interrupt_load { name = "nic", rate = "1000/s", pages = 2, hold = "5ms", consumer = "rx", sockbuf = "64K" }
process { name = "rx", run = function(p) p:sleep("1s") end }
