process { name = "a\nb", run = function(p) p:compute("1\n") end }
