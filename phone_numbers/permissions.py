from offices.models import Role
from offices.permissions import role_required
from phone_numbers.selectors import phone_number_visible

# A page about one number: a number the person cannot see (another organization's, another
# office's) answers 404 whatever the role.
number_staff_required = role_required(Role.ADMIN, Role.MEMBER, visible=phone_number_visible)
