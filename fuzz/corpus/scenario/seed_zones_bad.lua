kernel { zones = { 1, 2 } }
process { name = "a", run = function(p) end }
