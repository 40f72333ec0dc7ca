process { name = "a", run = function(p)
  p:compute("1ms")
  local x = nil + 1
end }
