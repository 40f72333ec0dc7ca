kernel { swapmeta = { refill = "sometimes", exclusive = 1 } }
process { name = "a", run = function(p) end }
