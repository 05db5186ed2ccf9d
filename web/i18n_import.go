package web

// Strings of the import of branches, lecturers and lessons from sheets.
func init() {
	addMessages(map[string]message{
		"import.title":          {"批量导入", "Import"},
		"import.intro":          {"上传 Excel（.xlsx）或 CSV 表格，一次导入本镇的支部、讲师或微党课。可先下载模板照着填写。", "Upload an Excel (.xlsx) or CSV sheet to add your town's branches, lecturers or lessons in one go. Download a template to start from."},
		"import.all_or_none":    {"只要有一行有误，整份文件都不会导入；请按提示改正后重新上传。", "If any row is wrong, nothing in the file is imported; fix the rows shown and upload again."},
		"import.kind.branches":  {"支部", "Branches"},
		"import.kind.lecturers": {"讲师", "Lecturers"},
		"import.kind.lessons":   {"微党课", "Lessons"},
		"import.columns":        {"列（* 为必填）", "Columns (* required)"},
		"import.template":       {"下载模板", "Download a template"},
		"import.file":           {"选择文件（.xlsx 或 .csv，不超过 5 MB）", "Choose a file (.xlsx or .csv, at most 5 MB)"},
		"import.submit":         {"上传并导入", "Upload and import"},
		"import.done":           {"已导入 {n} 条{kind}记录", "Imported {n} records ({kind})"},
		"import.nothing":        {"以上问题改正前，本文件中的数据一条也没有导入。", "Nothing from this file was imported."},
		"import.more":           {"共 {n} 处问题，仅列出前面的部分。", "{n} problems in all; only the first are listed."},
		"import.col.row":        {"行号", "Row"},
		"import.col.column":     {"列", "Column"},
		"import.col.reason":     {"原因", "Problem"},

		"import.rows":               {"文件中有 {n} 行有误，未导入任何数据", "{n} rows have problems; nothing was imported"},
		"import.unreadable":         {"无法读取该文件，请上传 .xlsx 或 .csv 表格", "The file cannot be read; upload an .xlsx or .csv sheet"},
		"import.xls":                {"不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 .csv 后再上传", "Old .xls files are not supported; save as .xlsx or .csv in Excel and upload that"},
		"import.format":             {"只支持 .xlsx 或 .csv 文件", "Only .xlsx and .csv files are supported"},
		"import.empty":              {"文件是空的", "The file is empty"},
		"import.no_header":          {"没有找到表头：第一行应是列名，至少要有 {columns}", "No header row found: the first row names the columns, at least {columns}"},
		"import.missing_columns":    {"表头缺少必需的列：{columns}", "The header lacks required columns: {columns}"},
		"import.duplicate_column":   {"表头中的“{column}”列出现了两次", "The column “{column}” appears twice in the header"},
		"import.too_many_rows":      {"一次最多导入 {max} 行，请分成几个文件", "At most {max} rows per file; split it into several files"},
		"import.too_large":          {"文件不能超过 5 MB", "The file must not exceed 5 MB"},
		"import.no_file":            {"请选择要上传的文件", "Choose a file to upload"},
		"import.duplicate_row":      {"与第 {row} 行重复", "Repeats row {row}"},
		"import.lecturer_exists":    {"讲师“{name}”已存在", "A lecturer called “{name}” exists already"},
		"import.branch_unknown":     {"本镇没有支部“{name}”", "The town has no branch called “{name}”"},
		"import.topic_unknown":      {"本镇没有主题“{name}”", "The town has no topic called “{name}”"},
		"import.lecturer_unknown":   {"本镇没有讲师“{name}”", "The town has no lecturer called “{name}”"},
		"import.lecturer_ambiguous": {"本镇有多位讲师叫“{name}”，请导入后在课程页面指定", "Several lecturers of the town are called “{name}”; assign them on the lesson's page after the import"},
	})
}
