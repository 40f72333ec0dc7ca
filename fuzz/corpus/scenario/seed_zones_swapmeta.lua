kernel { zones = { { name = "SWAPMETA" } }, swapmeta = 5 }
process { name = "a", run = function(p) end }
