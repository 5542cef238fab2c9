/** Two ways to total a column of a CSV text: the first builds every row as an object, the second does not. */

export function totalByParsingEverything(csv: string): number {
  const [header, ...lines] = csv.trim().split('\n')
  const columns = header!.split(',')
  const rows = lines.map(line => Object.fromEntries(line.split(',').map((cell, i) => [columns[i], cell])))
  return rows.reduce((sum, row) => sum + Number(row.amount), 0)
}

export function totalByScanning(csv: string): number {
  const amountColumn = csv.slice(0, csv.indexOf('\n')).split(',').indexOf('amount')
  let sum = 0
  let lineStart = csv.indexOf('\n') + 1
  while (lineStart > 0 && lineStart < csv.length) {
    const lineEnd = csv.indexOf('\n', lineStart)
    const line = csv.slice(lineStart, lineEnd === -1 ? undefined : lineEnd)
    let cellStart = 0
    for (let column = 0; column < amountColumn; column++) cellStart = line.indexOf(',', cellStart) + 1
    sum += Number.parseFloat(line.slice(cellStart))
    lineStart = lineEnd + 1
  }
  return sum
}

export function makeCsv(rows: number): string {
  const lines = ['id,customer,amount,note']
  for (let i = 0; i < rows; i++) lines.push(`${i},customer-${i % 97},${(i % 50) + 0.5},"order ${i}"`)
  return lines.join('\n')
}
