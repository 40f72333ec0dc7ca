kernel { zones = { x = 1 } }
process { name = "a", run = function(p) end }
