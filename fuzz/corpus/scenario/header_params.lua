--! N=3 mode=a flag=true
local n = param("N", 1) + 1
local m = param("mode", "x")
local f = param("flag", false)
process { name = m .. n, run = function(p) if f then p:sleep(n) end end }
