process { name = "a", run = function(p) while true do end end }
