process { name = "a", run = function(p) end }
local t = setmetatable({}, { __index = function() return 1 end })
print(t.x)
