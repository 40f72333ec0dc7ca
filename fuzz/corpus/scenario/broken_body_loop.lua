process { name = "a", run = function(p) while true do p:compute(0) end end }
