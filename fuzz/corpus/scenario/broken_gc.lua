local t = setmetatable({}, { __gc = function() error("gc") end }); t = nil
process { name = "a", run = function(p) local u = setmetatable({}, { __gc = function() machine{} end }) u = nil for i = 1, 1e5 do local z = {} end end }
