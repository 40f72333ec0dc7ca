sweep { N = { 1, 2.5, "x" }, M = "1..3", L = { "a,b" }, K = {}, J = true }
process { name = "a", run = function(p) end }
