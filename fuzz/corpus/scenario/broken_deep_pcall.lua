local function f(n) return pcall(f, n + 1) end
f(1)
process { name = "a", run = function(p) end }
