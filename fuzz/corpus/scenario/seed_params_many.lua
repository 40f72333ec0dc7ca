for i = 1, 40 do param("p" .. i, i) end
process { name = "a", run = function(p) end }
