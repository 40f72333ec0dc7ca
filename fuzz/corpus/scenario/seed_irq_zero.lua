interrupt_load { rate = 0 }
process { name = "a", run = function(p) end }
