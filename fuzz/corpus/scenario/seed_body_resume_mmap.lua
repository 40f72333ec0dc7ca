process { name = "a", run = function(p)
  for i = 1, 30 do local r = p:mmap(i * 4096) p:touch(r) p:munmap(r) end
end }
process { name = "b", run = function(p) for i = 1, 30 do p:sleep(i) end end }
