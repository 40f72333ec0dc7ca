local function f(n) return f(n + 1) + 1 end
process { name = "a", run = function(p) f(1) end }
