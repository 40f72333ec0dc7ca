local z = {} for i = 1, 20 do z[i] = { name = "z" .. i } end
kernel { zones = z }
process { name = "a", run = function(p) end }
