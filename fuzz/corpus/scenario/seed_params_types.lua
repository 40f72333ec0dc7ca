--! s=str b=false n=1e3 long=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
local s = param("s", "d")
local b = param("b", true)
local n = param("n", 0)
local l = param("long", "")
local x = param("", 1)
param("t", {})
process { name = "a", run = function(p) end }
