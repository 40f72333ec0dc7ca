process { name = "a", run = function(p)
  p.touch(1) p:mmap({}) p:mmap("1M", 5) p:touch(1, 2) p:touch(1.5)
  p:compute() p:sleep({}) p:nope() p.x = 1 p:mmap("1M", { file = "" })
end }
