for i = 1, 70 do process { name = "p" .. i, run = function(p) end } end
