data "oktaidp_group" "engineering" {
  name = "Engineering"
}

output "engineering_group_id" {
  value = data.oktaidp_group.engineering.id
}
