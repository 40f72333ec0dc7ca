local n = param("N", 0)
local m = param("mode", "a")
local q = param("Q", true)
sweep { N = "0..3", mode = { "a", "b" }, seeds = "1..2" }
for i = 1, n do
  process { name = "p" .. i .. m, count = 2, start = "10ms", nice = 5, run = function(p)
    local r = p:mmap("2M", {})
    p:touch(r, { random = true, pages = 10, write = true, offset = 1 })
    local f = p:mmap("1M", { file = "data" })
    p:touch(f)
    p:munmap(f)
  end }
end
