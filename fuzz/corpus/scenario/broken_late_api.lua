process { name = "a", run = function(p) machine { ram = "64M" } end }
