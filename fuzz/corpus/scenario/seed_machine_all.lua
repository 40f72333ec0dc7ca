machine { ram = 64 * 1024 * 1024, ncpus = 64, swap = "1.5G", swap_write_bw = "100M/s", swap_read_bw = "0.5K", swap_latency = "250us", file_read_bw = 1e6, file_latency = 0, kva = "8G", touch_cost = "50ns", fault_cost = "2us", scan_cost = 1e-7, pass_cost = "20us", quantum = "1ms" }
scenario { name = "all", duration = "1.5s", watchdog = 0.25, sample_every = "10ms" }
process { name = "a", count = 3, start = "1ms", nice = -20, run = function(p) end }
