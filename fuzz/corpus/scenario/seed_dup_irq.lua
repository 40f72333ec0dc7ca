interrupt_load { name = "x", rate = 1 }
interrupt_load { name = "x", rate = 2 }
process { name = "a", run = function(p) end }
