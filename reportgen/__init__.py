"""reportgen: 政府信息公开工作年度报告生成器 — from a filled workbook to the published report."""
