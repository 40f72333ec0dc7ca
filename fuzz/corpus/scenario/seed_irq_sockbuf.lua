interrupt_load { rate = "10/s", consumer = "a", sockbuf = 100 }
process { name = "a", run = function(p) end }
