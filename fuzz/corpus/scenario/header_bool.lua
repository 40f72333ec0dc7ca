--! N=true
local n = param("N", false)
error(n)
