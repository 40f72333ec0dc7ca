local s = string.rep("a", 30) .. "b"
process { name = "a", run = function(p) string.find(s, "(a*)*c") end }
