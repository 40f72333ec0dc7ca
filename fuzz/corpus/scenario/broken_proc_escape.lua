local saved
process { name = "a", run = function(p) saved = p; p:compute(0) end }
process { name = "b", run = function(p) saved:compute(0); p.name = 1 end }
