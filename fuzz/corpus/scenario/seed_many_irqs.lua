for i = 1, 20 do interrupt_load { rate = i, pages = i, hold = "1ms", start = i / 10 } end
process { name = "a", run = function(p) end }
