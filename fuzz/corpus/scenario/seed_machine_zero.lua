machine { kva = 0, swap_write_bw = 0, quantum = 0, ram = 1.5, ncpus = 0 }
process { name = "a", run = function(p) end }
