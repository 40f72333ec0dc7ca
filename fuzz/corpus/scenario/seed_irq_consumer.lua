interrupt_load { rate = "10/s", consumer = "nobody" }
process { name = "a", run = function(p) end }
