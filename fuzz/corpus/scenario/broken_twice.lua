machine { ram = "64M" }
machine { ram = "64M" }
process { name = "a", run = function(p) end }
