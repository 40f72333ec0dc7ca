local x = math.random(1, 10) + sim.random()
process { name = "a", run = function(p) p:sleep(x / 1000) end }
