--! N=1e999
local n = param("N", 1)
process { name = "a", run = function(p) end }
