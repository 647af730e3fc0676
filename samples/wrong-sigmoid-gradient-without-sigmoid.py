# Mistake: writes the slope as a * (1 - a) but applies it to z, never taking the sigmoid.
# Loses: gradient, gradient_regularised, sigmoid_gradient
# Diagnosis: sigmoid-gradient-without-sigmoid

# %% grade_id="mySigmoidGradient"
def mySigmoidGradient(z):
    return z * (1 - z)
