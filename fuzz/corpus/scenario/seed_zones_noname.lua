kernel { zones = { { size = 4 } } }
process { name = "a", run = function(p) end }
