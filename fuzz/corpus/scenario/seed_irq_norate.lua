interrupt_load { name = "x" }
process { name = "a", run = function(p) end }
