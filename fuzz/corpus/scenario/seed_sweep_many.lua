local s = {} for i = 1, 20 do s["a" .. i] = i end
sweep(s)
process { name = "a", run = function(p) end }
