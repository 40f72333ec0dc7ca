kernel { zones = { { name = "a", allocator = "reserve_kmalloc_obj", reserve = 2, refill = "nowait", exclusive = true, size = 64, rate = 5, hold = 1, count = 3 }, { name = "a" } } }
process { name = "a", run = function(p) end }
