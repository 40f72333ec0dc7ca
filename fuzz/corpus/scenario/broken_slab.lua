kernel { swapmeta = { allocator = "slab" } }
process { name = "a", run = function(p) local r = p:mmap("1M"); p:touch(r, { write = 0.5, pages = 3 }); p:compute("1ms"); p:sleep(0.5); p:munmap(r) end }
