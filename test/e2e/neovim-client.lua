-- A second LSP client: headless Neovim starts `optlint lsp --stdio` (as the set-up in
-- server/src/lsp/README.md does), waits for the file's diagnostics, asks for a hover on the
-- optimizer, writes both as JSON to $OPTLINT_NVIM_OUT and quits. Neovim 0.7+.
local repo = os.getenv('OPTLINT_REPO')
local out = os.getenv('OPTLINT_NVIM_OUT')
local hover_line = tonumber(os.getenv('OPTLINT_NVIM_HOVER_LINE'))
local hover_col = tonumber(os.getenv('OPTLINT_NVIM_HOVER_COL'))

vim.defer_fn(function()
  io.stderr:write('timed out waiting for optlint diagnostics\n')
  vim.cmd('cquit 2')
end, 45000)

local done = false
local function start()
local client_id = vim.lsp.start_client({
  name = 'optlint',
  cmd = { 'node', repo .. '/bin/optlint.js', 'lsp', '--stdio' },
  root_dir = repo,
  handlers = {
    ['textDocument/publishDiagnostics'] = function(_, result)
      if done or #result.diagnostics == 0 then return end
      done = true
      vim.schedule(function()
        local params = { textDocument = { uri = result.uri }, position = { line = hover_line, character = hover_col } }
        local hover = vim.lsp.buf_request_sync(0, 'textDocument/hover', params, 10000)
        local hover_result = nil
        for _, r in pairs(hover or {}) do hover_result = r.result end
        local f = io.open(out, 'w')
        f:write(vim.fn.json_encode({ diagnostics = result.diagnostics, hover = hover_result }))
        f:close()
        vim.cmd('qa!')
      end)
    end,
  },
})
vim.lsp.buf_attach_client(0, client_id)
end

-- The file named on the command line is loaded after this script runs.
vim.api.nvim_create_autocmd('VimEnter', { callback = start })
